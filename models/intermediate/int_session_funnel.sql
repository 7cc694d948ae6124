-- One row per client session (the session_id the tracker sends): which funnel steps it reached. This is
-- the funnel's unit (seed 001: "sessions reaching each step"); fct_sessions re-derives sessions from
-- inactivity gaps for behaviour analysis (seed 002).
select
    session_id,
    min(user_id) as user_id,
    cast(min(event_time) as date) as session_date,
    min(event_time) as started_at,
    max(event_time) as ended_at,
    count_if(event_type = 'product_view') > 0 as reached_product_view,
    count_if(event_type = 'add_to_cart') > 0 as reached_add_to_cart,
    count_if(event_type = 'checkout') > 0 as reached_checkout,
    count_if(event_type = 'purchase') > 0 as reached_purchase
from {{ref "stg_user_events"}}
group by session_id
