"""Where start-up time goes, phase by phase, in one process on an unchanged graph (the cache warm):
imports, opening the cached build, making the app, its lifespan (the query pool), the first answer.
Run it under a profiler for the detail (see bench/README.md):

    python3 -m bench.startup_profile
    pyinstrument -m bench.startup_profile
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402


def main() -> None:
    marks: dict[str, float] = {}
    last = STARTED

    def mark(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        marks[name] = round((now - last) * 1000, 1)
        last = now

    import commit_kg.cli  # noqa: F401
    from commit_kg.service import serve  # noqa: F401
    from commit_kg.service.app import create_app
    mark("imports (cli, app, serve)")
    from commit_kg.build import build
    from commit_kg.settings import Settings
    settings = Settings()
    graph = build(settings)
    assert graph.cached_at is not None, "run once before: the cache must hold this build"
    mark("build from the cache")
    app = create_app(settings, graph)
    mark("create_app")

    async def serve_once() -> None:
        import httpx

        async with app.router.lifespan_context(app):
            mark("lifespan start")
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                response = await client.get("/sparql", params={"query": "ASK {}"},
                                            headers={"Accept": "application/sparql-results+json"})
                assert response.status_code == 200, response.text
            mark("first answer (ASK {})")
    asyncio.run(serve_once())
    marks["total after interpreter start"] = round((time.perf_counter() - STARTED) * 1000, 1)
    for name, ms in marks.items():
        print(f"{name:32} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
