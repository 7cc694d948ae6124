-- Business rule (seed 001): a funnel step can never hold more sessions than the step before it.
-- Failing rows: steps with more sessions than their predecessor (overall and per day).
with overall as (
    select
        'all' as scope,
        step,
        sessions,
        lag(sessions) over (order by step_order) as previous_sessions
    from {{ref "fct_funnel"}}
),

daily as (
    select cast(session_date as varchar) as scope, step, sessions, previous_sessions
    from {{ref "fct_daily_conversion"}}
    cross join unnest(
        array['product_view', 'add_to_cart', 'checkout', 'purchase'],
        array[product_view_sessions, add_to_cart_sessions, checkout_sessions, purchase_sessions],
        array[sessions, product_view_sessions, add_to_cart_sessions, checkout_sessions]
    ) as s (step, sessions, previous_sessions)
)

select * from overall where sessions > previous_sessions
union all
select * from daily where sessions > previous_sessions
