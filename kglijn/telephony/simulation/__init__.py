"""The call simulator's toolkit, beside production telephony and never imported by it.

simulator.py  a realistic day of call events (Erlang C staffing: kglijn.core.erlang), from
              the volume, hours and roster of day_setup.py;
event_log.py  the contract's event and the service levels computed straight from the events —
              the reference kglijn's own figures must equal;
replay.py     posting the events to the webhook, signed, as the platform would.
Used by `kglijn simulate calls`, the tests and the benchmarks.
"""
