import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parsePerfdata, parsePluginOutput } from '../src/probes/perfdata.js';

describe('Nagios perfdata', () => {
  it.each([
    ['time=0.01s;1;2;0;10', [{ label: 'time', value: 0.01, uom: 's', warn: '1', crit: '2', min: 0, max: 10 }]],
    ["'disk /var'=80%;90;95", [{ label: 'disk /var', value: 80, uom: '%', warn: '90', crit: '95' }]],
    [
      "'it''s'=1 b=2KB",
      [
        { label: "it's", value: 1 },
        { label: 'b', value: 2, uom: 'KB' },
      ],
    ],
    ['rta=U;;;;', [{ label: 'rta', value: null }]],
    ['c=5c;@10:20;~:30', [{ label: 'c', value: 5, uom: 'c', warn: '@10:20', crit: '~:30' }]],
  ])('parses %s', (text, expected) => {
    expect(parsePerfdata(text)).toEqual(expected);
  });

  it('takes the message from the first line and perfdata from it and the long output', () => {
    const out = parsePluginOutput('PING OK - rta 1ms | rta=1ms\nlong text line\nmore | pl=0%\nx=1\n');
    expect(out.message).toBe('PING OK - rta 1ms');
    expect(out.perfdata.map((p) => p.label)).toEqual(['rta', 'pl', 'x']);
  });

  it('never throws and never yields more than 64 entries, whatever the plugin prints', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 4096 }), (s) => {
        const r = parsePluginOutput(s);
        expect(r.perfdata.length).toBeLessThanOrEqual(64);
        expect(r.message.includes('\n')).toBe(false);
      }),
    );
  });
});
