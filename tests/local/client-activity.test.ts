/** Whether a request's client is alone (local/client-activity.ts): connections are told apart by identity. */
import { ClientActivity } from '../../local/client-activity';

describe('client activity', () => {
  it('a connection that sends request after request is alone', () => {
    const clients = new ClientActivity(1000);
    const a = {};
    expect([0, 5, 10, 2000].map((t) => clients.request(a, t))).toEqual([true, true, true, true]);
  });

  it('two connections taking turns are not alone; the one left is alone again once the window has passed', () => {
    const clients = new ClientActivity(1000);
    const a = {};
    const b = {};
    expect(clients.request(a, 0)).toBe(true);
    expect(clients.request(b, 10)).toBe(false);
    expect(clients.request(a, 20)).toBe(false);
    expect(clients.request(a, 30)).toBe(false); // b sent one 20 ms ago
    expect(clients.request(a, 1010)).toBe(false); // exactly the window: still not
    expect(clients.request(a, 1011)).toBe(true);
  });

  it('a third connection counts as another client for each of the others', () => {
    const clients = new ClientActivity(1000);
    const [a, b, c] = [{}, {}, {}];
    clients.request(a, 0);
    clients.request(b, 1);
    expect(clients.request(c, 2)).toBe(false);
    expect(clients.request(a, 3)).toBe(false);
    expect(clients.request(c, 500)).toBe(false); // a sent one at 3
    expect(clients.request(c, 1504)).toBe(true); // a's last is more than a second old, b's older still
  });
});
