/**
 * Why a request of the staff cannot be done now; the route turns it into a 409 with this reason. Its own
 * file, so the pairing routes load without Baileys (which is imported only when WhatsApp is on).
 */
export class ConnectionConflict extends Error {}
