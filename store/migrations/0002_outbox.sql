-- placeholder: replaced by the mail branch at merge
SELECT 1;
