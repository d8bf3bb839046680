import { describe } from 'vitest';
import { CloudAdapter } from '../../../src/channels/whatsapp-cloud/cloud-adapter.js';
import { createGraphApi } from '../../../src/channels/whatsapp-cloud/graph-api.js';
import { texts } from '../../helpers/engine-driver.js';
import {
  FakeGraphApi,
  graphErrors,
  TEST_API_VERSION,
  TEST_GRAPH_TOKEN,
  TEST_PHONE_NUMBER_ID,
} from '../../helpers/fake-graph-api.js';
import { describeAdapterContract, type FailureKind } from '../contract/adapter-contract.js';
import { RESIDENT_JID, RESIDENT_WA_ID } from './cloud-payloads.js';

/**
 * The outbox's contract (test/channels/contract/adapter-contract.ts), kept by the Cloud API adapter on
 * the fake Graph API. The Cloud API cannot delete a sent message (`deletes: false`).
 */
describe('WhatsApp Cloud API', () => {
  describeAdapterContract('WhatsApp Cloud API', {
    failures: ['wait', 'blocked', 'transient', 'refused'],
    showsMessages: true,
    deletes: false,
    async create() {
      const fake = await FakeGraphApi.start();
      const graph = createGraphApi({
        token: TEST_GRAPH_TOKEN,
        phoneNumberId: TEST_PHONE_NUMBER_ID,
        apiRoot: fake.url,
        apiVersion: TEST_API_VERSION,
      });
      const failures: Record<FailureKind, () => void> = {
        // Too many messages to one resident: Meta asks to wait several seconds.
        wait: () => fake.failNext(graphErrors.pairRateLimit()),
        blocked: () => fake.failNext(graphErrors.undeliverable()),
        transient: () => fake.failNext(graphErrors.serverError()),
        refused: () => fake.failNext(graphErrors.invalidParameter()),
      };
      return {
        adapter: new CloudAdapter({ graph, texts, listButtonLabel: () => 'Kies' }),
        recipient: { residentId: 'r-whatsapp-cloud', externalUserId: RESIDENT_JID },
        textLimit: 4096,
        shown: () => fake.visibleTo(RESIDENT_WA_ID),
        filesShown: () =>
          fake.filesTo(RESIDENT_WA_ID).map((f) => ({
            shownAs: f.type === 'image' ? 'photo' : 'document',
            bytes: f.upload.bytes,
            name: f.filename,
            caption: f.caption ?? '',
          })),
        failNext: (kind) => failures[kind](),
        close: () => fake.close(),
      };
    },
  });
});
