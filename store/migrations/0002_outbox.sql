-- placeholder: replaced by the 0002_outbox branch at merge
SELECT 1;
