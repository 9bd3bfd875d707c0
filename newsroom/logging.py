"""One JSON object per log line, for log shippers (LOGGING uses it when DJANGO_LOG_FORMAT=json).

Each line has `time` (UTC, ISO 8601), `level`, `logger` and `message`; a record about
a request adds `method`, `path` and `status` when they are known, and an exception
adds `exc_info` as text. Gunicorn's access records (logger `gunicorn.access`) carry
their request figures in `record.args`; they come out as the same fields plus
`duration_ms`, `bytes`, `remote` and `user_agent`.
"""

import datetime
import json
import logging

# Gunicorn's access-log atoms: ours -> theirs.
_ACCESS_FIELDS = {
    "method": "m",
    "path": "U",
    "query": "q",
    "status": "s",
    "bytes": "B",
    "remote": "h",
    "user_agent": "a",
    "referer": "f",
}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry.update(self._access_fields(record.args))
            entry["message"] = f"{entry.get('method', '')} {entry.get('path', '')}"
        else:
            entry["message"] = record.getMessage()
            entry.update(self._request_fields(record))
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    @staticmethod
    def _request_fields(record):
        fields = {}
        request = getattr(record, "request", None)
        # django.request passes the HttpRequest; django.server passes a socket.
        path = getattr(request, "path", None)
        if isinstance(path, str):
            fields["method"] = request.method
            fields["path"] = path
        status = getattr(record, "status_code", None)
        if status is not None:
            fields["status"] = status
        return fields

    @staticmethod
    def _access_fields(atoms):
        fields = {}
        for name, atom in _ACCESS_FIELDS.items():
            value = atoms.get(atom)
            if value in (None, "", "-"):
                continue
            if name in {"status", "bytes"}:
                value = int(value) if str(value).isdigit() else value
            fields[name] = value
        micros = atoms.get("D")
        if micros not in (None, "-"):
            fields["duration_ms"] = round(int(micros) / 1000, 1)
        return fields
