export * from './compose';
export * from './dockerfile';
export * from './interpolate';
