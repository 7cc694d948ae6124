-- Business rule (seed 001): a day's revenue is exactly the sum of the totals of the orders paid that UTC
-- day. Recomputed from the staged order events, not from fct_orders, so a bug in either side shows.
-- Failing rows: days where the two disagree.
with paid as (
    select order_id, min(event_time) as paid_at
    from {{ref "stg_order_events"}}
    where event_type = 'order_paid'
    group by order_id
),

totals as (
    select order_id, min(amount) filter (where event_type = 'order_created') as created_amount, min(amount) as any_amount
    from {{ref "stg_order_events"}}
    group by order_id
),

expected as (
    select cast(paid.paid_at as date) as revenue_date, sum(coalesce(totals.created_amount, totals.any_amount)) as revenue
    from paid
    join totals on totals.order_id = paid.order_id
    group by 1
)

select
    coalesce(expected.revenue_date, actual.revenue_date) as revenue_date,
    expected.revenue as expected_revenue,
    actual.revenue as mart_revenue
from expected
full outer join {{ref "fct_daily_revenue"}} as actual on actual.revenue_date = expected.revenue_date
where expected.revenue is distinct from actual.revenue
