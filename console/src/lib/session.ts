/** The API key the tab signed in with: kept in sessionStorage (this tab only, gone when it closes). */
const KEY = 'lake-console:api-key';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}
