"""Background jobs of the enterprises app (huey; immediate in tests)."""

from huey.contrib.djhuey import db_task

from ipps.enterprises.importing import import_job_run


@db_task()
def import_enterprises_task(job_id: int) -> None:
    """Import the file of an ImportJob, recording progress and the report on the job."""
    import_job_run(job_id=job_id)
