/**
 * The reference graph between declarations: which ones sit in a cycle (their schemas must refer
 * to each other lazily) and a declaration order where every schema follows what it uses.
 */
import { declTypes, walkType, type DeclModel, type SchemaModel } from '../model.js';
import { declKey } from './render.js';

function edgesOf(_module: string, decl: DeclModel): string[] {
  const out: string[] = [];
  for (const type of declTypes(decl)) {
    walkType(type, (t) => {
      if (t.kind === 'ref') out.push(declKey(t.module, t.name));
    });
  }
  return out;
}

export interface DeclGraph {
  readonly decls: ReadonlyMap<string, { readonly module: string; readonly decl: DeclModel }>;
  /** Keys of declarations in a reference cycle (including self-reference). */
  readonly cyclic: ReadonlySet<string>;
}

export function buildGraph(model: SchemaModel): DeclGraph {
  const decls = new Map<string, { module: string; decl: DeclModel }>();
  const edges = new Map<string, string[]>();
  for (const m of model.modules) {
    for (const d of m.decls) {
      const key = declKey(m.id, d.name);
      decls.set(key, { module: m.id, decl: d });
      edges.set(key, edgesOf(m.id, d));
    }
  }
  // Tarjan's strongly connected components, iterative so deep schemas cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cyclic = new Set<string>();
  let counter = 0;
  for (const start of [...decls.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    index.set(start, counter); low.set(start, counter); counter++;
    stack.push(start); onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame === undefined) break;
      const out = (edges.get(frame.node) ?? []).filter((e) => decls.has(e));
      if (frame.next < out.length) {
        const to = out[frame.next++] ?? '';
        if (!index.has(to)) {
          index.set(to, counter); low.set(to, counter); counter++;
          stack.push(to); onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(to) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
          onStack.delete(n);
          component.push(n);
          if (n === frame.node) break;
        }
        const selfLoop = (edges.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) for (const n of component) cyclic.add(n);
      }
    }
  }
  return { decls, cyclic };
}

/** The module's declarations, dependencies first, ties broken by name. */
export function orderDecls(module: string, decls: readonly DeclModel[], graph: DeclGraph): DeclModel[] {
  const byName = new Map(decls.map((d) => [d.name, d]));
  const done = new Set<string>();
  const out: DeclModel[] = [];
  const visit = (d: DeclModel, depth: number): void => {
    if (done.has(d.name) || depth > decls.length) return;
    done.add(d.name);
    for (const key of edgesOf(module, d)) {
      const [mod, name] = key.split('#');
      const dep = mod === module && name !== undefined ? byName.get(name) : undefined;
      if (dep !== undefined && !graph.cyclic.has(key)) visit(dep, depth + 1);
    }
    out.push(d);
  };
  for (const d of decls) visit(d, 0);
  return out;
}
