// The page's DOM helpers: h() builds elements, $() finds one by its data-testid, toast()
// shows a passing message, unsupported() stands for what the page does not draw. Text only
// ever becomes text nodes, never HTML.

/** h('div', { class: 'x', 'data-ts': ts, onclick }, child, 'text', ...) */
export function h(tag, attrs = {}, ...children) {
  if (typeof attrs !== 'object' || attrs === null || attrs instanceof Node || Array.isArray(attrs))
    return h(tag, {}, attrs, ...children);
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled') el[key] = true;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Replaces an element's children; arrays are flattened, empty values skipped. */
export function setChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

export function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    el.hidden = true;
  }, 5000);
}

export function unsupported(what, type) {
  return h(
    'div',
    { class: `unsupported unsupported-${what}`, 'data-testid': `unsupported-${what}` },
    `[unsupported ${what}: ${type}]`,
  );
}
