import { describe, expect, it } from 'vitest';
import { JsonWriter } from './json-writer.js';

function render(pretty: boolean, build: (json: JsonWriter) => void): string {
  let out = '';
  const json = new JsonWriter((text) => (out += text), pretty);
  build(json);
  json.end();
  return out;
}

const showOne = (json: JsonWriter): void => {
  json.startArray().startObject().field('id', 10).field('type', 'hash').field('name', 'some_map').field('flags', 0).field('frozen', 0).endObject().endArray();
};

const entry = (json: JsonWriter): void => {
  json.startArray().startObject().name('key').startArray().raw('"0x01"').raw('"0x00"').endArray().name('value').startArray().raw('"0x2a"').endArray().endObject().endArray();
};

describe('JsonWriter lays JSON out as bpftool json_writer does', () => {
  it.each([
    ['compact map show', false, showOne, '[{"id":10,"type":"hash","name":"some_map","flags":0,"frozen":0}]\n'],
    [
      'pretty map show',
      true,
      showOne,
      '[{\n        "id": 10,\n        "type": "hash",\n        "name": "some_map",\n        "flags": 0,\n        "frozen": 0\n    }\n]\n',
    ],
    ['compact dump entry', false, entry, '[{"key":["0x01","0x00"],"value":["0x2a"]}]\n'],
    ['pretty dump entry', true, entry, '[{\n        "key": ["0x01","0x00"\n        ],\n        "value": ["0x2a"\n        ]\n    }\n]\n'],
    ['empty array', true, (j: JsonWriter) => void j.startArray().endArray(), '[]\n'],
    ['a bare null', true, (j: JsonWriter) => void j.null(), 'null\n'],
    ['an error object', true, (j: JsonWriter) => void j.startObject().field('error', 'bad "arg"').endObject(), '{\n    "error": "bad \\"arg\\""\n}\n'],
    ['null and bool fields', false, (j: JsonWriter) => void j.startObject().field('key', null).field('ok', true).endObject(), '{"key":null,"ok":true}\n'],
  ])('%s', (_title, pretty, build, expected) => {
    expect(render(pretty, build)).toBe(expected);
  });
});
