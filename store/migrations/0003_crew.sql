-- placeholder: replaced by the 0003_crew branch at merge
SELECT 1;
