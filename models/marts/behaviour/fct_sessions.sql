{{config partitioned_by="day(session_start)"}}
-- Sessions with a 30-minute inactivity window (seed 002), derived from the events themselves rather than
-- from the tracker's session_id: a user's next event more than `session_gap_minutes` after the previous
-- one starts a new session. client_sessions counts the tracker session_ids the session spans.
with events as (
    select
        user_id,
        session_id,
        event_id,
        event_type,
        event_time,
        country,
        device,
        line_amount,
        lag(event_time) over (partition by user_id order by event_time, event_id) as previous_event_time
    from {{ref "stg_user_events"}}
),

flagged as (
    select
        *,
        case
            when previous_event_time is null
                or event_time > previous_event_time + interval '{{var "session_gap_minutes" 30}}' minute
            then 1 else 0
        end as starts_session
    from events
),

numbered as (
    select
        *,
        sum(starts_session) over (
            partition by user_id order by event_time, event_id rows between unbounded preceding and current row
        ) as session_number
    from flagged
)

select
    {{> pii_hash column="user_id || '#' || cast(min(event_time) as varchar)"}} as session_key,
    {{> pii_hash column="user_id"}} as user_key,
    session_number,
    min(event_time) as session_start,
    max(event_time) as session_end,
    date_diff('second', min(event_time), max(event_time)) as duration_seconds,
    count(*) as events,
    count_if(event_type = 'product_view') as product_views,
    count_if(event_type = 'add_to_cart') as add_to_carts,
    count_if(event_type = 'checkout') as checkouts,
    count_if(event_type = 'purchase') as purchases,
    count_if(event_type = 'purchase') > 0 as converted,
    coalesce(sum(line_amount) filter (where event_type = 'purchase'), 0) as purchase_revenue,
    count(distinct session_id) as client_sessions,
    max_by(country, event_time) as country,
    max_by(device, event_time) as device
from numbered
group by user_id, session_number
