"""Theme digests: each saved theme ("my themes", ``kx.search.saved``) can mail its owner the
new matches daily or weekly; ``flask --app kx digests send --period daily|weekly`` sends
them together with the notification summaries of ``kx.notifications``."""
