// One Monaco editor per playground, one model per program (its tab), plus a read-only
// model per solution. Themes follow the site; problems from a run become markers.

import { monaco } from './monaco.ts';
import { onSiteTheme, siteTheme, type SiteTheme } from './theme.ts';

export interface EditorFile {
  name: string;
  code: string;
  solution: string | undefined;
}

export interface EditorEvents {
  change(name: string, code: string): void;
  run(): void;
}

const RUN_OWNER = 'warren-run';

// Backgrounds match the site's --surface; the rest is Monaco's own light and dark themes.
monaco.editor.defineTheme('warren-light', {
  base: 'vs',
  inherit: true,
  rules: [],
  colors: { 'editor.background': '#ffffff', 'editor.lineHighlightBackground': '#f6f3ef', 'editorLineNumber.foreground': '#6b717a' },
});
monaco.editor.defineTheme('warren-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: { 'editor.background': '#1d1f24', 'editor.lineHighlightBackground': '#262930', 'editorLineNumber.foreground': '#8a9099' },
});
const themeName = (theme: SiteTheme) => (theme === 'dark' ? 'warren-dark' : 'warren-light');
monaco.editor.setTheme(themeName(siteTheme()));
onSiteTheme((theme) => monaco.editor.setTheme(themeName(theme)));

function language(name: string): string {
  return /\.[cm]?tsx?$/.test(name) ? 'typescript' : 'javascript';
}

export class CodeEditor {
  readonly #editor: monaco.editor.IStandaloneCodeEditor;
  readonly #models = new Map<string, monaco.editor.ITextModel>();
  readonly #solutions = new Map<string, monaco.editor.ITextModel>();
  readonly #viewStates = new Map<monaco.editor.ITextModel, monaco.editor.ICodeEditorViewState | null>();
  #current: string;
  #showingSolution = false;

  constructor(container: HTMLElement, playgroundId: string, files: EditorFile[], events: EditorEvents) {
    const first = files[0];
    if (first === undefined) throw new Error('A playground needs at least one program');
    for (const file of files) {
      const base = `file:///playground/${encodeURIComponent(playgroundId)}`;
      const model = monaco.editor.createModel(file.code, language(file.name), monaco.Uri.parse(`${base}/${file.name}`));
      model.onDidChangeContent(() => {
        monaco.editor.setModelMarkers(model, RUN_OWNER, []);
        events.change(file.name, model.getValue());
      });
      this.#models.set(file.name, model);
      if (file.solution !== undefined) {
        this.#solutions.set(file.name, monaco.editor.createModel(file.solution, language(file.name), monaco.Uri.parse(`${base}/solution/${file.name}`)));
      }
    }
    this.#current = first.name;
    this.#editor = monaco.editor.create(container, {
      model: this.#models.get(first.name)!,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 14,
      lineNumbersMinChars: 3,
      scrollBeyondLastLine: false,
      tabSize: 2,
      fixedOverflowWidgets: true,
      ariaLabel: `${first.name}, code editor`,
      // The page scrolls on when the editor reaches its end.
      scrollbar: { alwaysConsumeMouseWheel: false },
    });
    this.#editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => events.run());
  }

  get current(): string {
    return this.#current;
  }

  get showingSolution(): boolean {
    return this.#showingSolution;
  }

  hasSolution(name: string): boolean {
    return this.#solutions.has(name);
  }

  /** Switches to a program's tab (its own code, or its solution while solutions show). */
  show(name: string): void {
    this.#current = name;
    this.#apply();
  }

  /** Shows the current program's solution, read-only, or the learner's code again. */
  showSolution(on: boolean): void {
    this.#showingSolution = on;
    this.#apply();
  }

  /** The code a run of `name` should use: what the editor shows for it. */
  codeToRun(name: string): string {
    const model = (this.#showingSolution ? this.#solutions.get(name) : undefined) ?? this.#models.get(name);
    return model?.getValue() ?? '';
  }

  code(name: string): string {
    return this.#models.get(name)?.getValue() ?? '';
  }

  /** Replaces a program's code (Reset code); undoable with Ctrl+Z. */
  setCode(name: string, code: string): void {
    const model = this.#models.get(name);
    if (model === undefined) return;
    model.pushEditOperations([], [{ range: model.getFullModelRange(), text: code }], () => null);
  }

  /** Underlines the place a run of `name` failed (cleared when its code changes). */
  markProblem(name: string, problem: { message: string; line: number; column: number }): void {
    const model = this.#models.get(name);
    if (model === undefined || problem.line < 1 || problem.line > model.getLineCount()) return;
    const first = model.getLineFirstNonWhitespaceColumn(problem.line) || 1;
    const last = model.getLineMaxColumn(problem.line);
    const start = Math.min(Math.max(problem.column, first), last);
    monaco.editor.setModelMarkers(model, RUN_OWNER, [
      {
        severity: monaco.MarkerSeverity.Error,
        message: problem.message,
        startLineNumber: problem.line,
        startColumn: start === last ? first : start,
        endLineNumber: problem.line,
        endColumn: last,
        source: 'run',
      },
    ]);
  }

  clearProblems(name: string): void {
    const model = this.#models.get(name);
    if (model !== undefined) monaco.editor.setModelMarkers(model, RUN_OWNER, []);
  }

  focus(): void {
    this.#editor.focus();
  }

  #apply(): void {
    const solution = this.#showingSolution ? this.#solutions.get(this.#current) : undefined;
    const model = solution ?? this.#models.get(this.#current)!;
    const previous = this.#editor.getModel();
    if (previous !== null && previous !== model) this.#viewStates.set(previous, this.#editor.saveViewState());
    if (previous !== model) {
      this.#editor.setModel(model);
      const state = this.#viewStates.get(model);
      if (state) this.#editor.restoreViewState(state);
    }
    const readOnly = solution !== undefined;
    this.#editor.updateOptions({
      readOnly,
      readOnlyMessage: { value: 'This is the solution, read-only. Choose "Show my code" to edit yours.' },
      ariaLabel: `${this.#current}${readOnly ? ' solution, read-only' : ''}, code editor`,
    });
  }
}
