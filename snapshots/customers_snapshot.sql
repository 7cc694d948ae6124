{{config unique_key="customer_key" strategy="check" check_cols="country, primary_device"}}
-- Every version of each customer's country and main device (seed 000's dim_customer as SCD type 2): a
-- new row when either changes, the old one closed at that run's time. Keyed by the salted customer hash,
-- as dim_customers is (no PII in the history either).
select
    {{> pii_hash column="user_id"}} as customer_key,
    max_by(country, event_time) filter (where country is not null) as country,
    max_by(device, event_time) filter (where device is not null) as primary_device
from {{ref "stg_user_events"}}
group by 1
