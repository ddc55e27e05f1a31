"""The one adapter to boto3: list, put and delete objects, errors translated once.

boto3 is an optional dependency (`pip install 'syndicator[s3]'`), imported
here only, when a site names `[output] url`. Credentials are found by
boto3's standard chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN, then the shared credentials file, AWS_PROFILE); this
module never reads or holds them, and every message it builds is made from
the bucket, the key, the endpoint without userinfo and the server's error
code and message, then scrubbed of the secret values in the environment
(botocore never puts a secret in an error, and this keeps it that way).

Every request has botocore's connect and read timeouts and at most
`ATTEMPTS` tries; the whole upload phase has its own enforced deadline in
`syndicator.objectstore`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syndicator.config import ObjectStorage
from syndicator.errors import ConfigError, UploadError
from syndicator.objectstore._plan import Put
from syndicator.redact import REDACTED, public_url

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

ATTEMPTS = 3  # botocore's "standard" retry mode: throttling and 5xx answers, with backoff
# Environment variables whose values never appear in a message.
SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID")


class Bucket:
    """One bucket and prefix, reached with the site's endpoint, region and timeouts."""

    def __init__(self, settings: ObjectStorage, *, config_path: str) -> None:
        try:
            import boto3
            from botocore.config import Config as BotoConfig
        except ImportError as e:
            raise ConfigError(
                config_path, "output.url", "object storage needs boto3: pip install 'syndicator[s3]'"
            ) from e
        self.settings = settings
        self.where = f"{settings.url} at {public_url(self.endpoint)}"
        boto_config = BotoConfig(
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            retries={"max_attempts": ATTEMPTS, "mode": "standard"},
            # An S3-compatible server on its own host name or address is
            # reached by path (https://host/bucket/key), as they all support.
            s3={"addressing_style": "path" if self.endpoint_url else "auto"},
            # Content-MD5 is sent with every PUT; the newer default of a
            # streamed CRC trailer (aws-chunked) is one many S3-compatible
            # servers refuse.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        with self._errors("connect"):
            session = boto3.session.Session()
            self.client: S3Client = session.client(
                "s3",
                endpoint_url=self.endpoint_url,
                region_name=settings.region
                or os.environ.get("AWS_DEFAULT_REGION")
                or os.environ.get("AWS_REGION")
                or "us-east-1",
                config=boto_config,
            )

    @property
    def endpoint_url(self) -> str | None:
        return self.settings.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None

    @property
    def endpoint(self) -> str:
        return self.endpoint_url or "AWS"

    def listing(self) -> dict[str, str]:
        """Every object under the prefix: relative path → ETag."""
        found: dict[str, str] = {}
        prefix = self.settings.prefix
        with self._errors("list"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.settings.bucket, Prefix=prefix
            )
            for page in pages:
                for entry in page.get("Contents", []):
                    key = entry.get("Key", "")
                    if key.startswith(prefix) and key != prefix:
                        found[key[len(prefix) :]] = entry.get("ETag", "")
        return found

    def put(self, put: Put, folder: Path) -> None:
        """One object, whole, with one PUT: S3 makes it visible only once complete.

        The bytes are read again here and checked against the planned MD5
        (sent as Content-MD5, so the server refuses a body damaged on the way).
        """
        import base64
        import hashlib

        data = (folder / put.relative).read_bytes()
        digest = hashlib.md5(data, usedforsecurity=False)
        if digest.hexdigest() != put.md5:
            raise UploadError(f"{self.where}: {put.relative}: the file changed while it was being uploaded")
        extra: dict[str, Any] = {}
        if put.content_encoding:
            extra["ContentEncoding"] = put.content_encoding
        with self._errors(f"put {put.relative}"):
            self.client.put_object(
                Bucket=self.settings.bucket,
                Key=self.settings.prefix + put.relative,
                Body=data,
                ContentMD5=base64.b64encode(digest.digest()).decode("ascii"),
                ContentType=put.content_type,
                CacheControl=put.cache_control,
                **extra,
            )

    def delete(self, relative: str) -> None:
        with self._errors(f"delete {relative}"):
            self.client.delete_object(Bucket=self.settings.bucket, Key=self.settings.prefix + relative)

    @contextlib.contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """botocore's exceptions as one UploadError line, with no credential in it."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as e:
            error = e.response.get("Error", {})
            code = error.get("Code", "error")
            message = error.get("Message", "") or _STATUS_TEXT.get(code, "")
            raise UploadError(secret_free(f"{self.where}: {action}: {code}: {message}".rstrip(": "))) from e
        except BotoCoreError as e:
            raise UploadError(secret_free(f"{self.where}: {action}: {e}")) from e
        except OSError as e:
            raise UploadError(secret_free(f"{self.where}: {action}: {e.strerror or e}")) from e


# Answers to HEAD-like requests carry no message body: a word for the codes.
_STATUS_TEXT = {"403": "access denied", "404": "no such bucket or key"}


def secret_free(text: str) -> str:
    """`text` with the value of every credential variable in the environment replaced by ***."""
    for name in SECRET_ENV:
        value = os.environ.get(name, "")
        if len(value) >= 4:
            text = text.replace(value, REDACTED)
    return text
