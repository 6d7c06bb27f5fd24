-- How many decisions there are: the night's summary says how many the scan did not need to read.
SELECT count(*) FROM decisions
