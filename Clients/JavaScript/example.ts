// A usage example, type-checked by `tsc -p Clients/JavaScript` (never run): it shows the
// client's surface as an application sees it.
import {
  SwitchboardClient, safeSendWebSocket, StatusError, TimeoutError, HandshakeRefusedError,
  type ConnectionState, type Push, type Readable, type RoomState, type RecoveryReport,
} from './switchboard.js';

interface Board { id: number; name: string; owner: string; updatedAt: number }
interface ChatMessage { room: string; userId: string; text: string; sentAt: number }

export async function tour(): Promise<void> {
  const client = new SwitchboardClient('ws://127.0.0.1:8080/ws?features=presence@demo:lobby:presence', {
    tokenProvider: async () => sessionStorage.getItem('token'),
    requestTimeout: 5000,
    reconnect: { minDelay: 250, maxDelay: 10000 },
    heartbeat: { interval: 20000, timeout: 5000 },
    ack: { every: 50, delay: 1000 },
    onError: (error, context) => console.warn('switchboard', error, context),
  });

  const unsubscribe = client.stateStore.subscribe((state: ConnectionState) => {
    document.title = state === 'open' ? 'online' : state;
  });

  try {
    await client.connect();
  } catch (error) {
    if (error instanceof HandshakeRefusedError) console.log(error.status, error.reason);
    return;
  }

  console.log('session', client.session?.sessionId);
  let boards: Board[] = [];
  const loadBoards = async () => {
    const response = await client.get('/boards');
    boards = response.json<Board[]>();
    if (response.subscription) console.log(`list read at ${response.subscription.room}@${response.subscription.epoch}:${response.subscription.offset}`);
  };
  await loadBoards();
  // After a reconnect the server replays what was missed; refetch only the rooms it could not.
  const recovery = client.onRecovery((report: RecoveryReport) => {
    if (report.lost.includes('boards')) void loadBoards();
    for (const [room, result] of Object.entries(report.rooms)) if (!result.recovered) console.log(room, result.reason);
  });
  const created = await client.post('/boards', { name: 'Ideas' });
  const board = created.json<Board>();
  await client.put(`/boards/${board.id}`, { name: 'Better ideas' });

  try {
    await client.get('/boards/999');
  } catch (error) {
    if (error instanceof StatusError && error.status === 404) console.log(error.message);
    else if (error instanceof TimeoutError) console.log(`no answer within ${error.ms} ms`);
  }

  const state: RoomState = await client.join(`board-${boards[0]?.id ?? 1}`);
  console.log(state.memberCount, state.lastBroadcastTimestamp);
  const renames = client.on('/boards/:id/updated', (push: Push) => {
    if (!push.recovered) void loadBoards();
    console.log(`board ${push.params.id} changed`, push.json<Partial<Board>>());
  });

  await client.join('chat-general');
  const messages = client.store<ChatMessage[]>('/chats/:name/new-message', [], (list, push) => [...list, push.json<ChatMessage>()]);
  const online: Readable<string[]> = client.store('/presence/demo:lobby:presence', [] as string[],
    (_, push) => push.json<{ users: { userId: string }[] }>().users.map((user) => user.userId));
  online.subscribe((users) => console.log('online:', users.join(', ')));
  await client.post('/chats/general/messages', { text: 'hello' });
  await client.send('/typing', { board: board.id });

  renames.stopListening();
  recovery.stopListening();
  messages.stopListening();
  unsubscribe();
  client.close();

  const socket = new WebSocket('ws://127.0.0.1:8080/echo');
  const result: string = await safeSendWebSocket(socket, 'hello', { queue: true, timeout: 2000 });
  console.log(result);
}
