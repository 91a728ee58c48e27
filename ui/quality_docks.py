"""The Dashboard and Agreement docks: listed in View > panels, hidden until asked for, built when first shown.

Nothing of them (not their modules, with numpy and the agreement code) is built or imported at
start: a dock holds an empty widget until it is first shown. The dashboard reads its figures
again each time it is shown and after every status change while it shows; the agreement panel
computes when first shown and on Compute, and says when statuses changed since.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from annotator.models import Changes
from ui.bridge import ServiceBridge

if TYPE_CHECKING:
    from annotator.project import Project
    from ui.dashboard_panel import DashboardPanel
    from ui.quality_agreement import AgreementPanel

Panel = TypeVar("Panel", bound=QWidget)


class LazyDock(QObject, Generic[Panel]):
    """A hidden dock whose panel is made by `build` the first time the dock is shown."""

    def __init__(
        self,
        window: QMainWindow,
        title: str,
        name: str,
        build: Callable[[], Panel],
        shown: Callable[[Panel], object],
    ) -> None:
        super().__init__(window)
        self.dock = QDockWidget(title, window)
        self.dock.setObjectName(name)
        self.dock.setWidget(QWidget())
        # Its own title bar, unlike the side panels: Qt misreports the visibility of tabified docks
        # without one, and the title with its close button is where a panel shown from the menu goes.
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self.panel: Panel | None = None
        self._build, self._shown = build, shown
        self.dock.visibilityChanged.connect(self._visibility_changed)

    def showing(self) -> Panel | None:
        """The panel, if it is built and shown."""
        return self.panel if self.panel is not None and self.dock.isVisible() else None

    def _visibility_changed(self, visible: bool) -> None:
        if not visible:
            return
        if self.panel is None:
            self.panel = self._build()
            self.dock.setWidget(self.panel)
        self._shown(self.panel)


class QualityDocks(QObject):
    """Both docks of a window, on its project, following its service's changes."""

    def __init__(self, window: QMainWindow, project: Project, bridge: ServiceBridge) -> None:
        super().__init__(window)
        self.dashboard: LazyDock[DashboardPanel] = LazyDock(
            window, "Dashboard", "dashboardDock", self._dashboard_panel, self._dashboard_shown
        )
        self.agreement: LazyDock[AgreementPanel] = LazyDock(
            window, "Agreement", "agreementDock", self._agreement_panel, self._agreement_shown
        )
        window.tabifyDockWidget(self.dashboard.dock, self.agreement.dock)  # one below the text, as tabs
        self._project = project
        self._agreement_computed = False
        bridge.changed.connect(self._changed)

    def _dashboard_panel(self) -> DashboardPanel:
        from ui.dashboard_panel import DashboardPanel

        return DashboardPanel(self._project)

    def _agreement_panel(self) -> AgreementPanel:
        from ui.quality_agreement import AgreementPanel

        return AgreementPanel(self._project)

    @staticmethod
    def _dashboard_shown(panel: DashboardPanel) -> None:
        panel.refresh()

    def _agreement_shown(self, panel: AgreementPanel) -> None:
        if not self._agreement_computed:
            self._agreement_computed = True
            panel.refresh()

    def _changed(self, changes: Changes) -> None:
        if changes.status is None and not changes.documents_added:
            return
        if dashboard := self.dashboard.showing():
            dashboard.refresh()
        if agreement := self.agreement.showing():
            agreement.mark_out_of_date()
