-- placeholder: replaced by the 0004_console branch at merge
SELECT 1;
