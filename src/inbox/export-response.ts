import type { ResidentExport } from '../handoff/resident-export.js';

/** A resident's export as a JSON download: never cached, never rendered by the browser. */
export function exportResponse(data: ResidentExport): Response {
  const day = data.exportedAt.slice(0, 10);
  return new Response(JSON.stringify(data, null, 2) + '\n', {
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="resident-${data.resident.id.slice(0, 8)}-${day}.json"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    },
  });
}
