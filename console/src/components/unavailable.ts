/**
 * A button that cannot be used now but keeps the focus and its place in the tab order: aria-disabled, not disabled
 * (a disabled button drops the focus to the page, so the next Enter does nothing and Tab starts over). Its handler
 * checks the same condition.
 */
export const unavailable = (flag: boolean): { 'aria-disabled'?: 'true' } =>
  flag ? { 'aria-disabled': 'true' } : {};
