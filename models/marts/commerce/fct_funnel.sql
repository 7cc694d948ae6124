-- The purchase funnel with drop-off by step (seed 001), over all sessions: how many sessions reached each
-- step, how many were lost since the previous step, and the share of all sessions still in the funnel.
with totals as (
    select
        count(*) as sessions,
        count_if(reached_product_view) as product_view,
        count_if(reached_add_to_cart) as add_to_cart,
        count_if(reached_checkout) as checkout,
        count_if(reached_purchase) as purchase
    from {{ref "int_session_funnel"}}
),

steps as (
    select s.step_order, s.step, s.step_sessions as sessions
    from totals
    cross join unnest(
        array[0, 1, 2, 3, 4],
        array['session', 'product_view', 'add_to_cart', 'checkout', 'purchase'],
        array[totals.sessions, totals.product_view, totals.add_to_cart, totals.checkout, totals.purchase]
    ) as s (step_order, step, step_sessions)
)

select
    step_order,
    step,
    sessions,
    coalesce(lag(sessions) over (order by step_order) - sessions, 0) as dropped_sessions,
    coalesce(
        1 - cast(sessions as double) / nullif(lag(sessions) over (order by step_order), 0),
        0
    ) as dropoff_rate,
    cast(sessions as double) / nullif(first_value(sessions) over (order by step_order), 0) as share_of_sessions
from steps
