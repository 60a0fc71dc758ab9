"""The board report downloads on the results page: Word and PDF, and the easy-read summary. Same
permissions as the results page (someone else's survey is a 404); every download is audited."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from feedback.accounts.audit import audit
from feedback.accounts.auth import signed_in, visible_or_404
from feedback.publishing.board_report import board_report_data, board_report_docx, board_report_pdf, easy_read_docx
from surveys.runs import get_run_by_id

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class BoardReportController(Controller):
    path = "/workspace/surveys"
    guards = [signed_in]
    include_in_schema = False

    async def _download(self, request: Request, run_id: int, kind: str) -> Response:
        account = request.state.account
        run = visible_or_404(account, await get_run_by_id(run_id))
        report = await board_report_data(account, run, request.app.state.settings.satisfaction_target)
        if kind == "pdf":
            body, media, name = board_report_pdf(report), "application/pdf", f"{run.slug}-board-report.pdf"
        elif kind == "easy-read":
            body, media, name = easy_read_docx(report), DOCX, f"{run.slug}-easy-read-summary.docx"
        else:
            body, media, name = board_report_docx(report), DOCX, f"{run.slug}-board-report.docx"
        await audit(account.email, "board_report_downloaded", object=run.slug, detail=kind)
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @get("/{run_id:int}/analysis/board-report.docx")
    async def word(self, request: Request, run_id: FromPath[int]) -> Response:
        return await self._download(request, run_id, "docx")

    @get("/{run_id:int}/analysis/board-report.pdf")
    async def pdf(self, request: Request, run_id: FromPath[int]) -> Response:
        return await self._download(request, run_id, "pdf")

    @get("/{run_id:int}/analysis/easy-read-summary.docx")
    async def easy_read(self, request: Request, run_id: FromPath[int]) -> Response:
        return await self._download(request, run_id, "easy-read")
