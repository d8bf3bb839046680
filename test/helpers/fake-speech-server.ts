import { ScriptedFakeServer, type BodyFields, type FakeReply, type RecordedRequest } from './scripted-fake-server.js';

/**
 * A local stand-in for an OpenAI-compatible speech-to-text server (speaches, whisper.cpp's server),
 * for tests: a real HTTP server on 127.0.0.1 answering `POST /v1/audio/transcriptions`. It records
 * every request with its form fields and file, answers as the test says (by default a transcript
 * naming the file's size, in the requested language or 'nl'), and can be told to fail, drop or never
 * answer the next requests.
 */

export interface RecordedSpeechRequest extends RecordedRequest {
  /** The form's text fields: model, language, response_format … */
  fields: Record<string, string>;
  file: { bytes: Uint8Array; type: string; name: string } | undefined;
}

export type FakeSpeechReply = FakeReply;

export type SpeechResponder = (request: RecordedSpeechRequest) => FakeSpeechReply;

export class FakeSpeechServer extends ScriptedFakeServer<RecordedSpeechRequest> {
  /** failNext's default: 503, the model still loading. */
  protected readonly failure: FakeSpeechReply = { status: 503, body: { error: { message: 'model is loading' } } };

  private constructor(
    /** When set, requests need `Authorization: Bearer <apiKey>`. */
    readonly apiKey: string | undefined,
  ) {
    super();
  }

  static start(options: { apiKey?: string } = {}): Promise<FakeSpeechServer> {
    return new FakeSpeechServer(options.apiKey).listen();
  }

  defaultReply(request: RecordedSpeechRequest): FakeSpeechReply {
    if (request.method !== 'POST' || request.path !== '/v1/audio/transcriptions')
      return { status: 404, body: { detail: 'Not Found' } };
    if (this.apiKey !== undefined && request.authorization !== `Bearer ${this.apiKey}`) {
      return { status: 401, body: { error: { message: 'Invalid API key', type: 'invalid_request_error' } } };
    }
    if (!request.file) return { status: 400, body: { error: { message: 'no file in the request' } } };
    return {
      body: {
        task: 'transcribe',
        language: request.fields['language'] ?? 'nl',
        duration: 1.5,
        text: `transcript of ${request.file.bytes.byteLength} bytes`,
        segments: [],
      },
    };
  }

  /** The multipart form's text fields, and its `file`. */
  protected async parseBody(raw: Buffer, contentType: string | undefined): Promise<BodyFields<RecordedSpeechRequest>> {
    const fields: Record<string, string> = {};
    let file: RecordedSpeechRequest['file'];
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType ?? '' } }).formData();
    } catch {
      return { fields, file };
    }
    const files: File[] = [];
    form.forEach((value, name) => {
      if (typeof value === 'string') fields[name] = value;
      else if (name === 'file') files.push(value);
    });
    if (files[0]) file = { bytes: new Uint8Array(await files[0].arrayBuffer()), type: files[0].type, name: files[0].name };
    return { fields, file };
  }
}
