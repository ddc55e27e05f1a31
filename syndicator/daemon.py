"""`syndicator daemon`: the same publish_run on a schedule, and the feeds served.

APScheduler (3.x) runs the job: once at start, then on the configured interval
or cron expression, never two at once (max_instances=1), missed runs coalesced
into one, with a misfire grace time. A failing run is logged with its cause and
the daemon keeps going; the files of the last good run stay served. A source
that keeps failing is backed off: tried again on the next tick after its first
failure, then skipped for 4, 8, 16 … ticks (at most 64) instead of being
hammered every tick; while it is skipped, the runs say so (outcome
source-errors, `backed_off` in the log line and /status).

SIGTERM/SIGINT cut the current run short at its next safe point (between two
records, two written files, or in the pings, whose failures are kept for the
next run) and exit 0. A run that does not reach one within STOP_GRACE seconds
(a fetch that is still waiting, say) is left behind: the process exits 0
anyway, since a run killed at any point leaves every feed whole and the next
one finishes its work. Stopping never waits on APScheduler's
`shutdown(wait=True)`, which holds the job-store lock while it waits for the
job; the job never takes that lock (only the main thread reads the next run
time), so nothing can deadlock.

SIGHUP reloads the configuration after checking everything a run checks (the
sources' options, credentials, URLs and selectors, rules, taxonomy, schema,
schedule); an invalid one is logged with its reason and the old one kept.

Several daemons may share one PostgreSQL store, on one host or many: one of
them leads and publishes, the others follow and skip their runs. The leader
holds the store's publish lease (`lock.PublishLease`, `store/_lease.py`) and
renews it every third of its length; a follower looks as often and takes it
over when it runs out or its holder's session is gone, then runs at once. The
lease lasts `[state] lease` (30 s), at most half the schedule's interval, so
a follower takes over within one interval. A leader that loses the lease
stops its run at the next safe point, and the store refuses its writes. On
SQLite the daemon takes the lock file for each run, as `syndicator publish`
does. /status says who leads (host, pid, since, until).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from types import FrameType

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from syndicator.config import Config, SourceConfig
from syndicator.daemon_status import DaemonState, SourceBackoff, public_error
from syndicator.errors import ConfigError, RunCancelled, SyndicatorError
from syndicator.intake import prepare
from syndicator.lock import PublishLease, open_lease
from syndicator.pipeline import publish_run
from syndicator.report import RunReport
from syndicator.server import RunningServer, ServerSettings, start_in_thread
from syndicator.write import VALIDATORS_NAME

logger = logging.getLogger(__name__)

JOB_ID = "publish"
STOP_GRACE = 5.0  # seconds a run gets to reach a safe point after SIGTERM/SIGINT
POLL = 0.2  # seconds between the main thread's looks at signals and the next run time


def make_trigger(config: Config) -> BaseTrigger:
    if config.cron:
        try:
            return CronTrigger.from_crontab(config.cron, timezone=config.site.timezone)
        except ValueError as e:
            raise ConfigError(str(config.path), "schedule.cron", f"not a cron expression: {e}") from e
    return IntervalTrigger(seconds=config.interval_seconds or 300, timezone=UTC)


def check_config(config: Config, *, now: datetime) -> BaseTrigger:
    """Everything a run checks before it writes (sources, credentials, rules,
    taxonomy, schema) and the schedule; ConfigError (or StoreError…) otherwise."""
    trigger = make_trigger(config)
    if trigger.get_next_fire_time(None, now) is None:  # "0 0 31 2 *": the 31st of February
        raise ConfigError(
            str(config.path), "schedule.cron", f"{config.cron!r} never comes: no run would be made"
        )
    prepare(config, now=now)
    return trigger


# What the running server serves by, and the configuration key each comes from:
# a reload that changes one is refused (the server would go on serving the old
# folder while the runs write the new one); a restart applies it.
_SERVED_FROM = (
    ("directory", "output.directory"),
    ("validators", "state.directory"),
    ("public_url", "site.feeds_url"),
    ("hubs", "websub.hubs"),
)
# Read by the server once, at its start; a reload that changes them says so.
_SERVER_READS = (
    ("max_age_seconds", "the schedule (Cache-Control max-age)"),
    ("request_timeout_seconds", "server.request_timeout"),
    ("connections_per_client", "server.connections_per_client"),
)


def server_settings(config: Config, host: str, port: int) -> ServerSettings:
    return ServerSettings(
        directory=config.output.directory,
        host=host,
        port=port,
        max_age_seconds=schedule_seconds(config),
        hubs=config.advertised_hubs,
        public_url=config.site.feeds_url,
        request_timeout_seconds=config.server_request_timeout,
        connections_per_client=config.server_connections_per_client,
        validators=config.state_directory / VALIDATORS_NAME,
    )


def lease_seconds(config: Config) -> float:
    """How long a daemon's lease lasts: `[state] lease`, at most half the
    interval, so that a follower takes over within one interval."""
    interval = config.interval_seconds if not config.cron and config.interval_seconds else None
    return float(config.lease_seconds) if interval is None else min(config.lease_seconds, interval / 2)


def schedule_seconds(config: Config) -> int:
    """How often feeds can change: the Cache-Control max-age and the feeds' ttl."""
    if config.cron or not config.interval_seconds:
        return 3600
    return config.interval_seconds


class Daemon:
    def __init__(self, load: Callable[[], Config], *, now: Callable[[], datetime]) -> None:
        self._load = load
        self._now = now
        self.config = load()
        check_config(self.config, now=now())  # a bad source or schedule fails before anything starts
        self.state = DaemonState(started=now().isoformat(timespec="seconds"))
        self.backoff = SourceBackoff()
        self.tick = 0
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self._reload = threading.Event()
        self._idle = threading.Event()  # set while no run is under way
        self._idle.set()
        self._run_cancel = threading.Event()  # the current run's: set by a shutdown or a lost lease
        self._run_now = threading.Event()  # a follower took the lease over: run without waiting
        self.lease: PublishLease | None = None  # kept between runs (PostgreSQL); None: per run
        self._leadership: threading.Thread | None = None
        self._server: RunningServer | None = None
        self._served: ServerSettings | None = None  # what the running server was started with
        self._sources_before: tuple[SourceConfig, ...] | None = None  # the sources before a reload
        self._scheduler = BackgroundScheduler(timezone=UTC)

    # -- the job ------------------------------------------------------------

    def publish_once(self) -> RunReport | None:
        if self._cancel.is_set():
            return None  # a run queued just before the shutdown
        config = self.config
        before, self._sources_before = self._sources_before, None
        if before is not None:
            self.backoff.keep_only(before, config.sources)
        skipped = self.backoff.skipped(self.tick)
        attempted = frozenset(s.name for s in config.sources) - skipped
        if skipped:
            config = replace(config, sources=tuple(s for s in config.sources if s.name not in skipped))
            logger.warning("skipping backed-off sources: %s", ", ".join(sorted(skipped)))
        lease = self.lease
        if lease is not None and not lease.held():
            with self.state.lock:
                leader = self.state.leader
            logger.info(
                "following: %s leads; this run is skipped",
                f"{leader['host']} pid {leader['pid']}" if leader else "another daemon",
            )
            return None
        self.tick += 1
        self._run_cancel = threading.Event()
        if self._cancel.is_set():
            return None
        try:
            report = publish_run(
                config,
                now=self._now(),
                cancel=self._run_cancel,
                backed_off=tuple(sorted(skipped)),
                lease=lease,
            )
        except RunCancelled as e:
            why = "the shutdown" if self._cancel.is_set() else "the loss of the publish lease"
            logger.info("run cut short by %s: %s", why, e)
            return None
        except SyndicatorError as e:
            self._record_failure(e)
            logger.error("run failed: %s", e)
            return None
        for name, error in zip(report.failed_sources, report.source_errors, strict=False):
            logger.warning("source=%s failed: %s", name, error.removeprefix(f"{name}: "))
        self.backoff.record(self.tick, report.failed_sources, attempted)
        with self.state.lock:
            self.state.runs += 1
            self.state.failing_sources = self.backoff.summary(self.tick)
            self.state.last_run = {
                "finished": self._now().isoformat(timespec="seconds"),
                "outcome": report.outcome,
                **{k: v for k, v in report.to_json().items() if k in _STATUS_KEYS},
                "failed_sources": list(report.failed_sources),
                "backed_off": list(report.backed_off),
                "rejected": len(report.rejections),
                "pings_failed": report.pings_failed,
                "seconds": round(report.duration, 3),
            }
        logger.info(
            "run outcome=%s read=%d published=%d added=%d changed=%d rejected=%d written=%d unchanged=%d "
            "pings=%d pings_failed=%d failed_sources=%s backed_off=%s seconds=%.2f",
            report.outcome,
            report.records_read,
            report.published,
            report.added,
            report.changed,
            len(report.rejections),
            len(report.feeds_written),
            len(report.feeds_unchanged),
            len(report.pings),
            report.pings_failed,
            ",".join(report.failed_sources) or "-",
            ",".join(report.backed_off) or "-",
            report.duration,
            extra={"report": report.to_json()},
        )
        return report

    def _record_failure(self, error: BaseException) -> None:
        with self.state.lock:
            self.state.runs += 1
            self.state.failures += 1
            self.state.last_run = {
                "finished": self._now().isoformat(timespec="seconds"),
                "outcome": "failed",
                "error": public_error(error),
            }

    def _on_job_event(self, event: JobExecutionEvent) -> None:
        """Errors outside SyndicatorError (bugs) are logged with their cause; the daemon goes on.

        Runs in the job's thread: it must not call into the scheduler (see the module docstring).
        """
        if event.code == EVENT_JOB_ERROR:
            self._record_failure(event.exception)
            logger.error("run crashed: %r", event.exception, exc_info=event.exception)
        elif event.code == EVENT_JOB_MISSED:
            logger.warning("a scheduled run was missed (the previous one was still running)")

    def _update_next_run(self) -> None:
        """The main thread only: get_job takes the job-store lock."""
        job = self._scheduler.get_job(JOB_ID)
        with self.state.lock:
            self.state.next_run = (
                job.next_run_time.isoformat(timespec="seconds") if job and job.next_run_time else None
            )

    def _job(self) -> None:
        self._idle.clear()
        try:
            self.publish_once()
        finally:
            self._idle.set()

    # -- leadership (a store shared by several daemons) ------------------------

    def _lead(self, lease: PublishLease, seconds: float) -> None:
        """The leadership thread: renew the lease while leading, else look for it
        free, every third of its length; the only thread that speaks to the lease."""
        led = False
        while True:
            try:
                if led and not (lease.held() and lease.renew()):
                    logger.warning("lost the publish lease: stopping the run at its next safe point")
                    self._run_cancel.set()
                if not lease.held() and lease.try_acquire():
                    self._run_now.set()
                led = lease.held()
                holder = lease.holder()
            except SyndicatorError as e:
                logger.warning("publish lease: %s", e)
                holder = None
            with self.state.lock:
                self.state.leading = lease.held()
                self.state.leader = holder.to_json() if holder else None
            if self._stop.wait(seconds / 3):
                return

    # -- lifecycle ----------------------------------------------------------

    def run(self, *, host: str, port: int, serve: bool = True) -> int:
        self._install_signals()
        if serve:
            self._served = server_settings(self.config, host, port)
            self._server = start_in_thread(self._served, status=self.state.snapshot)
            logger.info("serving url=%s", self._server.url)
        self._scheduler.add_listener(self._on_job_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        self._add_job(make_trigger(self.config), next_run_time=datetime.now(UTC))  # once at start
        self._start_leadership()
        self._scheduler.start()
        self._update_next_run()
        logger.info(
            "daemon started schedule=%s", self.config.cron or f"every {self.config.interval_seconds}s"
        )
        while not self._stop.wait(POLL):
            if self._run_now.is_set():
                self._run_now.clear()
                self._schedule(next_run_time=datetime.now(UTC))
            if self._reload.is_set():
                self._reload.clear()
                try:
                    self._reload_config()
                except Exception:  # a bug in the reload must not take the feeds down with it
                    logger.exception("reload failed, keeping the running configuration")
            self._update_next_run()
        return self._shutdown()

    def _shutdown(self) -> int:
        """Cut the run short at a safe point, or leave it behind after STOP_GRACE seconds."""
        running = not self._idle.is_set()
        logger.info("stopping%s", ": cutting the current run short at a safe point" if running else "")
        self._cancel.set()
        self._run_cancel.set()
        self._scheduler.shutdown(wait=False)  # no new run; the current one is waited for below
        finished = self._idle.wait(STOP_GRACE)
        if self._leadership is not None:
            self._leadership.join(timeout=STOP_GRACE)
        if finished and self.lease is not None:
            self.lease.release()  # the next daemon leads at once, not when the lease runs out
            self.lease.close()
        if self._server is not None:
            self._server.close()
        if not finished:
            logger.warning(
                "daemon stopped with the run still waiting after %gs (a slow source?); every feed is "
                "whole and the next start finishes its work",
                STOP_GRACE,
            )
            logging.shutdown()  # flush the log: os._exit skips it
            # The run's thread is blocked in I/O and would hold up an orderly
            # exit; ending the process is safe at any point (see write.py, store).
            os._exit(0)
        logger.info("daemon stopped")
        return 0

    def _start_leadership(self) -> None:
        """With a PostgreSQL store: the lease, kept between runs, and the thread that keeps it."""
        lease = open_lease(
            self.config.state_url, self.config.state_directory, seconds=lease_seconds(self.config)
        )
        if not lease.kept_between_runs:  # the lock file, taken by each run
            with self.state.lock:
                self.state.leading = True
                self.state.leader = {
                    "host": socket.gethostname(),
                    "pid": os.getpid(),
                    "since": self.state.started,
                    "expires": None,
                }
            return
        self.lease = lease
        self._leadership = threading.Thread(
            target=self._lead, args=(lease, lease_seconds(self.config)), name="leadership", daemon=True
        )
        self._leadership.start()

    def _reload_config(self) -> None:
        try:
            config = self._load()
            trigger = check_config(config, now=self._now())
        except SyndicatorError as e:
            logger.error("reload failed, keeping the running configuration: %s", e)
            return
        if self._served is not None:
            served = server_settings(config, self._served.host, self._served.port)
            moved = [
                key
                for field_, key in _SERVED_FROM
                if getattr(served, field_) != getattr(self._served, field_)
            ]
            if moved:
                logger.error(
                    "reload refused, keeping the running configuration: %s changed, which the running"
                    " server serves by; restart the daemon to apply it",
                    ", ".join(moved),
                )
                return
            later = [
                key
                for field_, key in _SERVER_READS
                if getattr(served, field_) != getattr(self._served, field_)
            ]
            if later:
                logger.warning("%s changed: the server applies it when the daemon restarts", ", ".join(later))
        # The job thread forgets the back-off of removed or changed sources at its
        # next run (it alone touches the back-off); set before the new configuration.
        self._sources_before = self.config.sources
        self.config = config
        self._schedule(trigger=trigger)
        self._update_next_run()
        logger.info("configuration reloaded from %s", config.path)

    def _add_job(self, trigger: BaseTrigger, *, next_run_time: datetime | None) -> None:
        """The publish job: on `trigger`, never two at once, missed runs coalesced."""
        self._scheduler.add_job(
            self._job,
            trigger,
            id=JOB_ID,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(30, schedule_seconds(self.config) // 2),
            **({"next_run_time": next_run_time} if next_run_time is not None else {}),
        )

    def _schedule(self, *, trigger: BaseTrigger | None = None, next_run_time: datetime | None = None) -> None:
        """The publish job with a new trigger or next run time; added again if the
        scheduler dropped it (a trigger that had no run left)."""
        try:
            if trigger is not None:
                self._scheduler.reschedule_job(JOB_ID, trigger=trigger)
            if next_run_time is not None:
                self._scheduler.modify_job(JOB_ID, next_run_time=next_run_time)
        except JobLookupError:
            self._add_job(trigger or make_trigger(self.config), next_run_time=next_run_time)

    def stop(self) -> None:
        self._stop.set()

    def _install_signals(self) -> None:
        def on_stop(signum: int, frame: FrameType | None) -> None:
            self._stop.set()

        def on_hup(signum: int, frame: FrameType | None) -> None:
            self._reload.set()

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGHUP, on_hup)


_STATUS_KEYS = ("records_read", "published", "added", "changed", "feeds_written", "feeds_unchanged")
