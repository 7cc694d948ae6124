{{config partitioned_by="day(created_at), country" sorted_by="order_id"}}
-- One row per order (seed 000's fact_orders): its latest status, amount, created/paid/shipped/cancelled
-- timestamps, customer (pseudonymised) and country. Partitioned by day + country, clustered on order_id,
-- as seed 000 lays the warehouse out.
with events as (
    select * from {{ref "stg_order_events"}}
),

ranked as (
    -- The latest event wins; at the same instant the further lifecycle step does.
    select
        order_id,
        replace(event_type, 'order_', '') as status,
        row_number() over (
            partition by order_id
            order by event_time desc,
                case event_type
                    when 'order_shipped' then 4 when 'order_cancelled' then 3 when 'order_paid' then 2 else 1
                end desc
        ) as recency_rank
    from events
),

lifecycle as (
    select
        order_id,
        coalesce(min(customer_id) filter (where event_type = 'order_created'), min(customer_id)) as customer_id,
        coalesce(min(amount) filter (where event_type = 'order_created'), min(amount)) as amount,
        coalesce(min(currency) filter (where event_type = 'order_created'), min(currency)) as currency,
        coalesce(min(country) filter (where event_type = 'order_created'), min(country)) as country,
        min(event_time) filter (where event_type = 'order_created') as created_at,
        min(event_time) filter (where event_type = 'order_paid') as paid_at,
        min(event_time) filter (where event_type = 'order_shipped') as shipped_at,
        min(event_time) filter (where event_type = 'order_cancelled') as cancelled_at,
        min(event_time) as first_event_at,
        max(payment_method) as payment_method,
        count(*) as lifecycle_events
    from events
    group by order_id
),

items as (
    select order_id, count(*) as line_items, sum(quantity) as units
    from {{ref "int_order_items"}}
    group by order_id
)

select
    lifecycle.order_id,
    {{> pii_hash column="lifecycle.customer_id"}} as customer_key,
    ranked.status,
    lifecycle.amount,
    lifecycle.currency,
    lifecycle.country,
    lifecycle.created_at,
    lifecycle.paid_at,
    lifecycle.shipped_at,
    lifecycle.cancelled_at,
    cast(coalesce(lifecycle.created_at, lifecycle.first_event_at) as date) as order_date,
    cast(lifecycle.paid_at as date) as paid_date,
    lifecycle.paid_at is not null as is_paid,
    lifecycle.payment_method,
    coalesce(items.line_items, 0) as line_items,
    coalesce(items.units, 0) as units,
    lifecycle.lifecycle_events
from lifecycle
join ranked on ranked.order_id = lifecycle.order_id and ranked.recency_rank = 1
left join items on items.order_id = lifecycle.order_id
