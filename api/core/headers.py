"""Headers every API answer carries: `X-Content-Type-Options: nosniff` (a browser never guesses an answer's
type, so a reflected value cannot run as a script or a page), and `Cache-Control: no-store` unless the route
chose its own. Answers carry personal data (a profile, contacts, exports, who is nearby) and tokens, and
nothing relies on HTTP caching of the API: the service worker never answers /api (the app keeps its last
data in IndexedDB), so no browser, proxy or shared cache may keep a copy."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_NOSNIFF = (b"x-content-type-options", b"nosniff")
_NO_STORE = (b"cache-control", b"no-store")


class ApiHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/api" or path.startswith("/api/")):
            await self.app(scope, receive, send)  # the app's own files set theirs (api/main.py)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [header for header in (_NOSNIFF, _NO_STORE) if header[0] not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
