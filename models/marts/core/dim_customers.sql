-- One row per customer (seed 000's dim_customer; seed 001's users). PII is not carried into the marts:
-- the customer's id is replaced by a salted hash (customer_key, the same key fct_orders uses) and the
-- e-mail address is kept only hashed and masked. With the shop database (var shop_db) the address is the
-- database's current one, and a user the database deleted (GDPR erasure) is left out on the next build;
-- without it, an address an event carries in its attributes is used. The database's users are read from
-- the source here rather than from stg_db_users, which is disabled without the var.
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
),

db_users as (
{{#if (var "shop_db" false)}}
    select
        {{> pii_hash column="user_id"}} as customer_key,
        lower(trim(email)) as email
    from ({{> cdc_current relation=(source "shop_db" "db_users") key="user_id"}}) as current_users
{{else}}
    select cast(null as varchar) as customer_key, cast(null as varchar) as email
    where false
{{/if}}
),

erased_users as (
{{#if (var "shop_db" false)}}
    -- Users the database knew and no longer has: each one's latest change is a delete.
    select distinct {{> pii_hash column="user_id"}} as customer_key
    from {{source "shop_db" "db_users"}} as changes
    where not exists (
        select 1 from db_users where db_users.customer_key = {{> pii_hash column="changes.user_id"}}
    )
{{else}}
    select cast(null as varchar) as customer_key
    where false
{{/if}}
)

select
    coalesce(u.customer_key, o.customer_key) as customer_key,
    coalesce(u.country, o.country) as country,
    u.device as primary_device,
    {{> pii_hash column="coalesce(d.email, lower(trim(u.email)))"}} as email_hash,
    {{> mask_email column="coalesce(d.email, lower(trim(u.email)))"}} as email_masked,
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
left join db_users as d on d.customer_key = coalesce(u.customer_key, o.customer_key)
where not exists (
    select 1 from erased_users as e where e.customer_key = coalesce(u.customer_key, o.customer_key)
)
