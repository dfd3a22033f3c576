import {
  CheckQueue,
  EgressConfig,
  JobsConfig,
  JobNotFoundError,
  JobsRepository,
  PriceHistoryRepository,
} from '@app/jobs-domain';
import { GatewayConfig } from '../gateway.config';
import { JobsService } from './jobs.service';

function setup(existing: string[]) {
  const calls: string[] = [];
  const present = new Set(existing);
  const jobs = {
    delete: jest.fn(async (_u: string, jobId: string) => {
      calls.push(`job ${jobId}`);
      return present.delete(jobId);
    }),
    deleteAll: jest.fn(async () => {
      calls.push('all jobs');
      const n = present.size;
      present.clear();
      return n;
    }),
  };
  const prices = {
    deleteForJob: jest.fn(async (_u: string, jobId: string) => void calls.push(`history ${jobId}`)),
    deleteAll: jest.fn(async () => void calls.push('all history')),
  };
  const service = new JobsService(
    jobs as unknown as JobsRepository,
    prices as unknown as PriceHistoryRepository,
    {} as CheckQueue,
    {} as GatewayConfig,
    new JobsConfig(),
    new EgressConfig(),
  );
  return { service, calls };
}

describe('JobsService deletes', () => {
  it('deletes the job first, then its history', async () => {
    const { service, calls } = setup(['j1']);
    await service.delete('u1', 'j1');
    expect(calls).toEqual(['job j1', 'history j1']);
  });

  it('answers not found for an unknown job and deletes no history', async () => {
    const { service, calls } = setup([]);
    await expect(service.delete('u1', 'j1')).rejects.toBeInstanceOf(JobNotFoundError);
    expect(calls).toEqual(['job j1']);
  });

  it('deletes every job, then every price point, and counts the jobs', async () => {
    const { service, calls } = setup(['j1', 'j2']);
    await expect(service.deleteAll('u1')).resolves.toBe(2);
    expect(calls).toEqual(['all jobs', 'all history']);
  });
});
