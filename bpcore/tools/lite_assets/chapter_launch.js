// The live book's lab page (bpcore.tools.lite.add_chapter_launch): three things JupyterLite does not do itself.
// * The book's light or dark look carries over. The book (pydata-sphinx-theme) keeps the reader's choice in
//   localStorage "mode" ("light", "dark", or "auto": the system's); JupyterLite, on the same site, starts light.
// * A narrow screen (a phone) gives the chapter its whole width. JupyterLite shows the chapter it opens in its
//   file browser, and the side bar then covers most of a phone's screen: here JupyterLab's single-document
//   mode is switched on and the side bar closed, also after JupyterLite has opened it.
// * "Run live" beside a figure in the book names the figure's cell: lab/index.html?path=<chapter>#cell-id=<id>.
//   JupyterLite opens the chapter but ignores the fragment: here that cell is selected, the chapter runs up
//   to it (the cells above build what the panel needs) and the live panel comes into view. The chapter's
//   own link, in the page header, names no cell: then nothing runs until the reader chooses Run > Run All Cells.
//   A notification says what is happening meanwhile: Python takes some twenty seconds to start.
(() => {
  const cellId = /^#cell-id=([\w-]+)$/.exec(window.location.hash)?.[1];
  const narrow = window.matchMedia("(max-width: 760px)").matches;
  const choice = window.localStorage.getItem("mode");
  const dark = choice === "dark" ||   // no choice yet: the book's default_mode, light (_config.yml)
    (choice === "auto" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  if (!cellId && !narrow && !dark) return;
  const giveUp = Date.now() + 300000;
  const until = (get) => new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const value = get();
      if (value) {
        clearInterval(poll);
        resolve(value);
      } else if (Date.now() > giveUp) {
        clearInterval(poll);
        reject(new Error("JupyterLite did not open the chapter"));
      }
    }, 100);
  });

  const fitNarrowScreen = (app) => {
    const { shell, commands } = app;
    const closeAfterShowing = (_, call) => {
      if (call.id !== "docmanager:show-in-file-browser") return;
      commands.commandExecuted.disconnect(closeAfterShowing);   // only JupyterLite's own, once
      Promise.resolve(call.result).finally(() => shell.collapseLeft());
    };
    commands.commandExecuted.connect(closeAfterShowing);
    app.restored.then(() => {   // after the layout is restored, which sets the mode
      shell.mode = "single-document";
      shell.collapseLeft();
    });
  };

  const runUpTo = async (app, id) => {
    const panel = await until(() => {
      const widget = app.shell.currentWidget;
      return widget?.content?.widgets && widget.sessionContext ? widget : null;
    });
    await panel.context.ready;
    const notebook = panel.content;
    const index = notebook.widgets.findIndex((cell) => cell.model.id === id);
    if (index < 0) {
      console.warn(`Backprop, Live: this chapter has no cell ${id}; it opens at its top`);
      return;
    }
    notebook.activeCellIndex = index;
    await notebook.scrollToItem(index, "center");
    const note = await app.commands.execute("apputils:notify", {
      message: "Starting Python in this tab, then running the chapter up to this figure (about 20 s)",
      type: "in-progress", options: { autoClose: false } });
    const done = (message, type) => app.commands.execute("apputils:update-notification",
      { id: note, message, type, autoClose: 6000 });
    try {
      await panel.sessionContext.ready;
      await notebook.scrollToItem(index, "center");   // again: the cells above have rendered their maths by now
      await app.commands.execute("notebook:run-all-above");
      await app.commands.execute("notebook:run-cell");
    } catch (error) {
      await done(`Could not run the chapter up to this figure: ${error}. Try Run > Run All Cells.`, "warning");
      throw error;
    }
    await notebook.scrollToItem(index, "start");
    await done("The figure below is live: move its controls.", "success");
  };

  (async () => {
    const app = await until(() => window.jupyterapp);   // exposeAppInBrowser: see bpcore.tools.lite
    if (dark) app.restored.then(() => app.commands.execute("apputils:change-theme", { theme: "JupyterLab Dark" }));
    if (narrow) fitNarrowScreen(app);
    if (cellId) await runUpTo(app, cellId);
  })().catch((error) => console.warn(`Backprop, Live: ${error}`));
})();
