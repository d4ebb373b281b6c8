/**
 * Compose's variable interpolation, as docker compose applies it to docker-compose.yml
 * (compose-spec "Interpolation"): $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
 * ${VAR:?error}, ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement}, defaults that nest
 * further ${…}, and $$ for a literal $. Pure; stack/test/compose.test.ts checks it against the
 * docker compose binary on the repository's compose file.
 */

export type Lookup = (name: string) => string | undefined;

export class InterpolationError extends Error {
  readonly code = 'COMPOSE_VARIABLE_REQUIRED';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/** Index just past the `}` that closes the `${` whose body starts at `start`. */
function closingBrace(text: string, start: number): number {
  let depth = 1;
  for (let i = start; i < text.length; i += 1) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth += 1;
      i += 1;
    } else if (text[i] === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new InterpolationError('', `unclosed \${ in ${JSON.stringify(text)}`);
}

function expandBraced(body: string, lookup: Lookup): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!m) throw new InterpolationError(body, `invalid interpolation \${${body}}`);
  const [, name = '', operator, operand = ''] = m;
  const value = lookup(name);
  const unsetOrEmpty = value === undefined || value === '';
  switch (operator) {
    case undefined:
      return value ?? '';
    case ':-':
      return unsetOrEmpty ? interpolate(operand, lookup) : value;
    case '-':
      return value ?? interpolate(operand, lookup);
    case ':?':
    case '?':
      if (operator === ':?' ? unsetOrEmpty : value === undefined) {
        throw new InterpolationError(
          name,
          `required variable ${name} is missing a value: ${interpolate(operand, lookup)}`,
        );
      }
      return value ?? '';
    case ':+':
      return unsetOrEmpty ? '' : interpolate(operand, lookup);
    case '+':
      return value === undefined ? '' : interpolate(operand, lookup);
    default:
      throw new InterpolationError(name, `invalid operator in \${${body}}`);
  }
}

export function interpolate(text: string, lookup: Lookup): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      out += c as string;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      out += expandBraced(text.slice(i + 2, end), lookup);
      i = end + 1;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
      if (name === undefined) {
        out += '$';
        i += 1;
      } else {
        out += lookup(name) ?? '';
        i += 1 + name.length;
      }
    }
  }
  return out;
}

/** Every variable name a text refers to (also inside defaults). */
export function variablesOf(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    if (m.index > 0 && text[m.index - 1] === '$') continue;
    names.add((m[1] ?? m[2]) as string);
  }
  return [...names];
}
