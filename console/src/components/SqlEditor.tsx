/**
 * The SQL editor: CodeMirror 6 with SQL highlighting (the lake's tables and columns offered as completions),
 * undo history, and Ctrl/Cmd+Enter to run. The parent reads the text through `onChange` and puts one in through
 * `load` (a history entry, a sample query). The schema
 * arrives later (GET /tables): it reconfigures the SQL language in place, the editor and its focus stay.
 */
import {
  autocompletion,
  closeCompletion,
  completionKeymap,
  completionStatus,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { sql, StandardSQL } from '@codemirror/lang-sql';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { useEffect, useRef } from 'preact/hooks';

export interface SqlEditorProps {
  /** The text the editor starts with. */
  initial: string;
  /** A text to put in the editor (a new object each time). */
  load: { sql: string } | null;
  onChange: (sql: string) => void;
  /** Run: with the editor's text as it is now (the parent's copy, through onChange, may not have rendered yet). */
  onRun: (sql: string) => void;
  /** Table → column names, for completion. */
  schema?: Record<string, string[]>;
}

const sqlLanguage = (schema: Record<string, string[]> | undefined) =>
  sql({ dialect: StandardSQL, upperCaseKeywords: true, ...(schema ? { schema } : {}) });

export function SqlEditor({ initial, load, onChange, onRun, schema }: SqlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const handlers = useRef({ onChange, onRun });
  handlers.current = { onChange, onRun };

  useEffect(() => {
    const run = (v: EditorView) => {
      // The query runs: an open completion list goes (it would take the Escape that lets Tab leave the editor).
      closeCompletion(v);
      handlers.current.onRun(v.state.doc.toString());
      return true;
    };
    // Escape closes an open completion list and, as it does when none is open, lets the next Tab leave the editor
    // (the completion keymap took the Escape, and Tab then indented: the hint "Esc then Tab" needed two Escapes).
    const escape = (v: EditorView) => {
      if (completionStatus(v.state) === null) return false;
      closeCompletion(v);
      v.setTabFocusMode(2000);
      return true;
    };
    const state = EditorState.create({
      doc: initial,
      extensions: [
        lineNumbers(),
        history(),
        // Ctrl/Cmd+Enter runs; Tab indents, Escape then Tab leaves the editor (CodeMirror's keyboard escape hatch).
        keymap.of([
          { key: 'Mod-Enter', run, preventDefault: true },
          indentWithTab,
          ...completionKeymap,
          ...defaultKeymap,
          ...historyKeymap,
        ]),
        // Before the completion's own keymap, which autocompletion() installs at the highest precedence too (the
        // first of the same precedence runs first).
        Prec.highest(keymap.of([{ key: 'Escape', run: escape }])),
        autocompletion(),
        language.current.of(sqlLanguage(schema)),
        syntaxHighlighting(defaultHighlightStyle),
        placeholder('SELECT … FROM … (Ctrl/Cmd+Enter runs)'),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({
          'aria-label': 'SQL query',
          'aria-describedby': 'sql-editor-keys',
          'data-testid': 'sql-editor',
        }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) handlers.current.onChange(u.state.doc.toString());
        }),
      ],
    });
    const v = new EditorView({ state, parent: host.current! });
    view.current = v;
    return () => v.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: language.current.reconfigure(sqlLanguage(schema)) });
  }, [schema]);

  // A text put in from outside (a history entry, a sample query): replaces the document once per `load`. What the
  // user types is never fed back (a round trip through the parent's state would race the keyboard).
  useEffect(() => {
    const v = view.current;
    if (v && load && v.state.doc.toString() !== load.sql)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: load.sql } });
  }, [load]);

  return <div class="sql-editor" ref={host} />;
}
