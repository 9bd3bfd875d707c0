"""Examples of the API's error envelope, one per status code, for the schema
(articles/api/schema.py attaches them; the bodies are articles/api/examples.py's)."""

from http import HTTPStatus

from .exceptions import error_body

# Errors --------------------------------------------------------------------------

# By status: (summary, body). Writes and reads differ for 400 and 401.
ERRORS = {
    "400": (
        "A field is missing and another is blank",
        error_body(
            "invalid",
            "Some fields are not valid: key_facts.1.label, title.",
            {
                "title": ["This field may not be blank."],
                "key_facts.1.label": ["This field is required."],
            },
        ),
    ),
    "401": (
        "No credentials",
        error_body(
            "not_authenticated", "Authentication credentials were not provided."
        ),
    ),
    "403": (
        "Not allowed",
        error_body(
            "permission_denied", "You do not have permission to perform this action."
        ),
    ),
    "404": ("Nothing there", error_body("not_found", "Not found.")),
    "405": (
        "Wrong method",
        error_body("method_not_allowed", 'Method "PUT" not allowed.'),
    ),
    "406": (
        "Only JSON is offered",
        error_body("not_acceptable", "Could not satisfy the request Accept header."),
    ),
    "410": (
        "Withdrawn",
        error_body(
            "gone",
            "This explainer was published and has been withdrawn: remove your copy "
            "(the change feed says when).",
        ),
    ),
    "412": (
        "Changed since you read it",
        error_body(
            "precondition_failed",
            "The explainer changed since you read it (If-Match): read it again, "
            "then send your change.",
        ),
    ),
    "413": (
        "Body too large",
        error_body("too_large", "The request body is larger than this API accepts."),
    ),
    "415": (
        "Not JSON",
        error_body(
            "unsupported_media_type",
            'Unsupported media type "text/plain" in request.',
        ),
    ),
    "429": (
        "Over the rate limit",
        error_body(
            "throttled", "Request was throttled. Expected available in 42 seconds."
        ),
    ),
    "500": (
        "Our fault",
        error_body("server_error", "Something went wrong on our side."),
    ),
    "501": (
        "A format other than JSON",
        error_body("not_implemented", "Only format=json is offered."),
    ),
}
READ_ERRORS = {
    "400": (
        "A misspelt query parameter",
        error_body(
            "invalid",
            "Some fields are not valid: updated_sinse.",
            {"updated_sinse": ["This endpoint has no such query parameter."]},
        ),
    ),
    "401": (
        "An unknown or revoked key",
        error_body("authentication_failed", "Unknown or revoked key."),
    ),
}


def error(status, *, read):
    """(summary, body) of an error answer with `status`, for a read or a write."""
    if read and status in READ_ERRORS:
        return READ_ERRORS[status]
    if status in ERRORS:
        return ERRORS[status]
    phrase = HTTPStatus(int(status)).phrase
    return phrase, error_body(phrase.lower().replace(" ", "_"), f"{phrase}.")
