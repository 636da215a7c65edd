// Starts `conform lsp` for .clause files (docs/editors.md). The language client library comes
// from npm when the extension is packaged (`npm install && npx vsce package`); nothing here is
// fetched by Conform's build.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("conform");
  const args = ["lsp"];
  for (const dir of config.get("pluginDirs", [])) args.push("--plugin-dir", dir);
  const server = { command: config.get("path", "conform"), args, transport: TransportKind.stdio };
  client = new LanguageClient("conform", "Conform (Clause)", server, {
    documentSelector: [{ scheme: "file", language: "clause" }],
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
