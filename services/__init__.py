"""Use cases: commands with authorization, projections, read services, audit.

No FastAPI and no strawberry here; infra/ implements the ports in services/ports/.
"""
