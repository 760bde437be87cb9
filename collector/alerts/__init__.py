"""Down/reopen and park open/close alerts.

- `detect`: while a park's observations are written, its rides' and the park's live state is
  compared with the previous one; each change a subscription asks for becomes an AlertEvent,
  written in the same transaction (the outbox).
- `deliver`: the scheduled `deliver_alerts` job turns new events into one AlertDelivery per
  webhook subscription and posts them, signed, retrying with exponential backoff until a
  2xx answer or the dead-letter state.
- `feeds`: the public Atom feed of a park's last 100 events.
"""
