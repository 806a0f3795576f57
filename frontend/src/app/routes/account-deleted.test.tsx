import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';

describe('the data-deletion confirmation page', () => {
  it('confirms the deletion with the code Meta was given', () => {
    mockApi();
    renderApp('/account/deleted?code=AbC123xyz');

    expect(screen.getByRole('heading', { level: 1, name: 'Your data was deleted' })).toBeInTheDocument();
    expect(screen.getByText('AbC123xyz')).toBeInTheDocument();
  });

  it('still confirms without a code', () => {
    mockApi();
    renderApp('/account/deleted');

    expect(screen.getByRole('heading', { level: 1, name: 'Your data was deleted' })).toBeInTheDocument();
    expect(screen.queryByText(/Confirmation code/)).not.toBeInTheDocument();
  });
});
