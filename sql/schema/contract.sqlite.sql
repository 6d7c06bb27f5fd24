-- The fund's five input tables (shared/contract.md section 1), SQLite flavour.
-- In production these are usually views over the fund's own schema; init-db creates them only where
-- they do not exist. Dates are ISO text (YYYY-MM-DD).
CREATE TABLE IF NOT EXISTS advisors (
    id        INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    email     TEXT NULL,
    language  TEXT NOT NULL DEFAULT 'nl',
    team      TEXT NULL
);

CREATE TABLE IF NOT EXISTS beneficiaries (
    id                INTEGER PRIMARY KEY,
    full_name         TEXT NOT NULL,
    email             TEXT NULL,
    language          TEXT NOT NULL DEFAULT 'nl',
    judicial_district TEXT NULL,
    advisor_id        INTEGER NULL REFERENCES advisors (id),
    phone             TEXT NULL, -- optional (2026-11): for the call and letter lists
    postal_address    TEXT NULL  -- optional (2026-11)
);

CREATE TABLE IF NOT EXISTS decisions (
    id                   INTEGER PRIMARY KEY,
    beneficiary_id       INTEGER NOT NULL REFERENCES beneficiaries (id),
    kind                 TEXT NOT NULL,
    decided_on           DATE NOT NULL,
    period_start         DATE NULL,
    notified_on          DATE NULL,
    appeal_info_complete BOOLEAN NOT NULL DEFAULT TRUE,
    withdrawn_on         DATE NULL,
    reference            TEXT NULL -- optional (2026-11): the reference printed on the decision letter
);

CREATE TABLE IF NOT EXISTS appeals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id INTEGER NOT NULL REFERENCES decisions (id),
    forum       TEXT NOT NULL,
    filed_on    DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS complaints (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id INTEGER NOT NULL REFERENCES decisions (id),
    filed_on    DATE NOT NULL,
    closed_on   DATE NULL
);
