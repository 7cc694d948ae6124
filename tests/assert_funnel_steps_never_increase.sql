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
    -- The unnest's columns get their own names: fct_daily_conversion already has a `sessions` column.
    select cast(c.session_date as varchar) as scope, s.step, s.step_sessions as sessions, s.prior_sessions as previous_sessions
    from {{ref "fct_daily_conversion"}} as c
    cross join unnest(
        array['product_view', 'add_to_cart', 'checkout', 'purchase'],
        array[c.product_view_sessions, c.add_to_cart_sessions, c.checkout_sessions, c.purchase_sessions],
        array[c.sessions, c.product_view_sessions, c.add_to_cart_sessions, c.checkout_sessions]
    ) as s (step, step_sessions, prior_sessions)
)

select * from overall where sessions > previous_sessions
union all
select * from daily where sessions > previous_sessions
