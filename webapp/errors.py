"""One error shape: JSON `{"error", "status"}` under /api/, an HTML page elsewhere; never a bare 500."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from indexer import BadRequest, IndexUnavailable

NOT_FOUND = ("There is no page at this address in the archive. The link may be mistyped, or the record may have "
             "moved: try a search, or start from the first page.")
TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 500: "Something went wrong",
          503: "Search is not available"}


def error_response(message: str, status: int):
    if request.path.startswith("/api/"):
        response = jsonify({"error": message, "status": status})
        response.status_code = status
        return response
    title = TITLES.get(status, "Error")
    return render_template("error.html", title=title, message=message, status=status), status


def init_app(app: Flask) -> None:
    @app.errorhandler(BadRequest)
    def bad_request(exc):
        return error_response(str(exc), 400)

    @app.errorhandler(IndexUnavailable)
    def unavailable(exc):
        return error_response(str(exc), 503)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        generic = exc.description == type(exc).description  # werkzeug's own words, not ours
        if isinstance(exc, NotFound) and generic and not request.path.startswith("/api/"):
            return error_response(NOT_FOUND, 404)
        return error_response(exc.description or TITLES.get(exc.code, "Error"), exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unhandled error on %s", request.path)
        return error_response("An unexpected error occurred; it has been logged.", 500)
