/**
 * Who a profile frame belongs to, so a newcomer reads `pg 4%` instead of a minified `bytes`: a file under
 * `node_modules/<pkg>` (or `@scope/pkg`; the last `node_modules` wins, as with pnpm) is that package's; `node:`
 * internals are Node's; any other file is the project's own code. Frames without a file (V8 builtins such as
 * `JSON.stringify`, `eval`'d code) belong to the JavaScript that called them; WebAssembly frames to the package
 * whose JavaScript called into them, marked `(wasm)`.
 */

/** The project's own code: files outside `node_modules`. */
export const OWN_CODE = '(your code)';
/** Node's own JavaScript (`node:internal/…`, `node:events`). */
export const NODE_INTERNALS = 'node (internals)';
/** Time in garbage collection (V8's `(garbage collector)`, @datadog/pprof's `Garbage Collection`). */
export const GARBAGE_COLLECTOR = '(garbage collector)';
/** WebAssembly with no package's JavaScript calling it. */
export const WASM = '(wasm)';
/** Native code with no JavaScript caller at all. */
export const NATIVE = '(native)';

const GC_NAMES = new Set(['(garbage collector)', 'Garbage Collection']);
const SPECIAL_NAMES: Record<string, string> = {
  '(program)': '(program)',
  'Non JS threads activity': '(non-JS threads)',
};

/** A frame's function name and file, as the profile spells them. */
export interface Frame {
  name: string;
  file: string;
}

/** The package a file belongs to: `pg`, `@electric-sql/pglite`, `node (internals)` or `(your code)`; null without a file. */
export function packageOfFile(file: string): string | null {
  if (file === '' || isWasmFile(file)) return null;
  if (file.startsWith('node:') || file.startsWith('internal/')) return NODE_INTERNALS;
  const parts = file.replace(/\\/g, '/').split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return OWN_CODE;
  const first = parts[at + 1] as string;
  if (!first.startsWith('@')) return first;
  const second = parts[at + 2];
  return second ? `${first}/${second}` : first;
}

/** A WebAssembly frame: `wasm://` file, `wasm-function[n]`, or a JS↔wasm trampoline. */
export function isWasmFrame(frame: Frame): boolean {
  return (
    isWasmFile(frame.file) ||
    /^wasm-function\[/.test(frame.name) ||
    /^(js-to-wasm|wasm-to-js)(:|$)/.test(frame.name)
  );
}

function isWasmFile(file: string): boolean {
  return file.startsWith('wasm://');
}

/**
 * The package of every frame of a stack given root first: each frame's own file decides, else the nearest
 * caller's (WebAssembly as `<pkg> (wasm)`, or `(wasm)` when own code, Node or nothing called it).
 */
export function attributeStack(stack: readonly Frame[]): string[] {
  let caller: string | null = null;
  return stack.map((frame) => {
    if (GC_NAMES.has(frame.name)) return GARBAGE_COLLECTOR;
    if (isWasmFrame(frame)) {
      return caller && caller !== OWN_CODE && caller !== NODE_INTERNALS ? `${caller} (wasm)` : WASM;
    }
    const own = packageOfFile(frame.file);
    if (own) {
      caller = own;
      return own;
    }
    return caller ?? SPECIAL_NAMES[frame.name] ?? NATIVE;
  });
}
