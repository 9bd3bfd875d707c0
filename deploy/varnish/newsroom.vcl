# Varnish in front of Newsroom (issue #16; docs/performance.md "Varnish in front").
# For Debian bookworm's varnish 7.1 with varnish-modules 0.20 (vmod xkey):
#   varnishd -a :80 -f /etc/varnish/newsroom.vcl -s malloc,1G
# The application names what each public response shows in its `xkey` header and
# how long it may be kept in `Surrogate-Control: max-age=N` (articles/surrogates.py);
# after each write it sends `PURGE /` with an `xkey: <keys>` header (VARNISH_URLS,
# articles/purge.py). Signed-in readers, staff and every write pass straight through.
vcl 4.1;

import std;
import var;
import xkey;

# The application (gunicorn.conf.py binds 127.0.0.1:8000 by default). The probe lets
# Varnish serve expired pages for a while when the application is down (grace). Its
# Host must be one of DJANGO_ALLOWED_HOSTS (Django answers 400 to any other), so put
# the site's name there in production.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .probe = {
        .request =
            "GET /healthz HTTP/1.1"
            "Host: 127.0.0.1"
            "Connection: close"
            "User-Agent: varnish-probe";
        .interval = 5s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        .initial = 3;
    }
}

# Who may purge: the application's own hosts. Add their addresses here.
acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey) {
            return (synth(400, "Name the keys in an xkey header"));
        }
        # Noted before purging: a fetch that began before this line may carry rows
        # the application read before the write committed, and Varnish cannot
        # purge an object still being fetched; vcl_backend_response fetches it again.
        var.global_set("last-purge", req.xid);
        # A hard purge: the next request fetches the new version (no stale copy
        # served from grace in between).
        set req.http.X-Purged = xkey.purge(req.http.xkey);
        return (synth(200, "Purged " + req.http.X-Purged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Who is signed in, and where forms and per-reader pages live, is the
    # application's business: straight through.
    if (req.url ~ "^/(admin|accounts)/" || req.http.Authorization) {
        return (pass);
    }
    # Django's cookies: a session (signed in), a CSRF token (a form in use) or a
    # message waiting to be shown.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken|messages)=") {
        return (pass);
    }
    # Anything else (analytics and other tracking cookies) never reaches the
    # application, so every anonymous reader shares one copy.
    unset req.http.Cookie;
    # An expired copy is served (and refreshed behind it) only while the
    # application is down; when it is up, nothing older than its TTL is served.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_hash {
    # http and https answers carry different absolute links.
    hash_data(req.http.X-Forwarded-Proto);
    # (The built-in vcl_hash adds the URL and the host.)
}

sub vcl_backend_fetch {
    # The latest purge as this fetch begins (see vcl_backend_response).
    var.set("purge-seen", "" + var.global_get("last-purge"));
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Overtaken by a purge (one arrived while this was fetched), or built while a
    # write to what it shows was committing (the application says max-age=0): it
    # may show the rows from before the write. Fetched again at once (the reader who
    # asked and those queued behind it wait for that fetch, which begins after the
    # purge); the application's page cache usually answers it. Should a purge
    # overtake that one too, its answer goes to them and is not kept. (Once only:
    # each attempt takes backend workspace, and a third overflowed the default.)
    if (var.get("purge-seen") != "" + var.global_get("last-purge")
        || beresp.http.Surrogate-Control ~ "max-age=0([^0-9]|$)") {
        if (bereq.retries == 0) {
            return (retry);
        }
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.keep = 0s;
        unset beresp.http.Surrogate-Control;
        return (deliver);
    }
    # Kept only when the application says so: a public Cache-Control or a
    # Surrogate-Control lifetime (never Varnish's default TTL for unmarked answers,
    # such as search results or the comment API).
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)private|no-store|no-cache"
        || (!beresp.http.Surrogate-Control
            && beresp.http.Cache-Control !~ "(?i)(public|max-age)")
        || beresp.http.Vary == "*") {
        # Not kept; remembered as such for a minute so requests do not queue.
        set beresp.ttl = 60s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (beresp.http.Surrogate-Control ~ "max-age=[0-9]+") {
        # The application's lifetime for keyed responses, already cut at the next
        # scheduled publish time; purges end it earlier.
        set beresp.ttl = std.duration(
            regsub(beresp.http.Surrogate-Control, "^.*max-age=([0-9]+).*$", "\1s"),
            0s);
        unset beresp.http.Surrogate-Control;
    }
    # Otherwise Cache-Control's max-age (a minute for public pages) applies.
    if (beresp.ttl <= 0s) {
        set beresp.ttl = 60s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Served after expiry only while the application is down (see vcl_recv).
    set beresp.grace = 6h;
    return (deliver);
}

sub vcl_deliver {
    if (obj.uncacheable) {
        set resp.http.X-Varnish-Cache = "PASS";
    } else if (obj.hits > 0) {
        set resp.http.X-Varnish-Cache = "HIT";
    } else {
        set resp.http.X-Varnish-Cache = "MISS";
    }
    # Keys are for this cache; readers need not see them.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
}
