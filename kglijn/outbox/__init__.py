"""The one outbox for every mail kglijn sends (ADR 0013): answers, survey invitations, and any
later notification. A purpose (registered in settings.KGLIJN_OUTBOX_PURPOSES) builds its mail
when it is claimed and keeps its own rows in step when the send is settled; the outbox owns the
claim -> SMTP -> mark cycle and its guarantees. It imports only core and Django."""
