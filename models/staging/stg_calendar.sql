-- A date spine for the marts: one row per day. A placeholder until the shop models land.
select cast(day as date) as calendar_date
from unnest(sequence(date '{{var "calendar_start" "2024-01-01"}}', date '{{var "calendar_end" "2026-12-31"}}', interval '1' day)) as t (day)
