"""Notifications: where an area's Diskominfo hears about trouble (`channels`), which
events are due (`events`: a gateway silent and back, a contract ending, the daily
summary) and the outbox that sends each event once and retries a failing channel
(`outbox`). Plain functions over a session and ``now``; the sending itself is done by
`portal.adapters.mail` and `portal.adapters.telegram`, driven by `portal.notifier`.
"""
