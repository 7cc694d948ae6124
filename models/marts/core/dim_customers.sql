-- One row per customer (seed 000's dim_customer; seed 001's users). PII is not carried into the marts:
-- the customer's id is replaced by a salted hash (customer_key, the same key fct_orders uses) and an
-- e-mail address, when an event carries one in its attributes, is kept only hashed and masked.
with user_activity as (
    select
        {{> pii_hash column="user_id"}} as customer_key,
        min(event_time) as first_seen_at,
        max(event_time) as last_seen_at,
        max_by(country, event_time) filter (where country is not null) as country,
        max_by(device, event_time) filter (where device is not null) as device,
        max(element_at(attributes, 'email')) as email,
        count(distinct session_id) as client_sessions,
        count(*) as events
    from {{ref "stg_user_events"}}
    group by 1
),

order_activity as (
    select
        customer_key,
        max_by(country, created_at) as country,
        min(created_at) as first_order_at,
        max(created_at) as last_order_at,
        count(*) as orders,
        count_if(is_paid) as paid_orders,
        coalesce(sum(amount) filter (where is_paid), 0) as lifetime_revenue
    from {{ref "fct_orders"}}
    group by customer_key
)

select
    coalesce(u.customer_key, o.customer_key) as customer_key,
    coalesce(u.country, o.country) as country,
    u.device as primary_device,
    {{> pii_hash column="lower(u.email)"}} as email_hash,
    {{> mask_email column="u.email"}} as email_masked,
    u.first_seen_at,
    u.last_seen_at,
    coalesce(u.client_sessions, 0) as client_sessions,
    coalesce(u.events, 0) as events,
    o.first_order_at,
    o.last_order_at,
    coalesce(o.orders, 0) as orders,
    coalesce(o.paid_orders, 0) as paid_orders,
    coalesce(o.lifetime_revenue, cast(0 as decimal(18, 2))) as lifetime_revenue,
    coalesce(o.paid_orders, 0) > 0 as is_buyer
from user_activity as u
full outer join order_activity as o on o.customer_key = u.customer_key
